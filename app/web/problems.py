"""The services' refusals that pages show, marked here for the catalogues: a page shows a
problem's detail in its language when the catalogue has it (``Page.problem``), otherwise
the translated title followed by the detail as the service wrote it."""

from app.core.i18n import N_

#: The problem titles of app/core/errors.py.
TITLES = (
    N_("The request is not valid"),
    N_("Outside the opening hours"),
    N_("Not authenticated"),
    N_("Forbidden"),
    N_("Not found"),
    N_("Conflict"),
    N_("The desk is already booked"),
    N_("You already hold a workplace then"),
    N_("All company seats are taken"),
    N_("Too many requests"),
    N_("The service is unavailable"),
)

#: Details the services write without figures in them.
DETAILS = (
    N_("An account with this email already exists."),
    N_("The form has expired. Please reload the page and try again."),
)
