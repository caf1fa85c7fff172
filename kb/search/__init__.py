"""One search across tickets, articles and known issues, suggestions while typing, and the
knowledge base's usage figures (views, votes, linked tickets, deflections, documentation gaps)."""
