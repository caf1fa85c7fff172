"""The suggestion panels in pages of tickets (helpdesk.panels): the reply composer's and the
portal's new-ticket form's."""

from helpdesk import panels

panels.register("ticket-composer", "search:suggest_composer")
panels.register("portal-new-ticket", "search:suggest_portal")
