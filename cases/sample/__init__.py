"""Generated demo data: its tables and the simulation that writes them."""
