"""Customer 360: one customer's profile, consents and cross-channel timeline; search."""

from emptychair.customers.service import Customer360, customer_360, search_customers
from emptychair.customers.timeline import latest_consents, timeline

__all__ = ["Customer360", "customer_360", "latest_consents", "search_customers", "timeline"]
