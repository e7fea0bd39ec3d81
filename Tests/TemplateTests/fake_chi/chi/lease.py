from chi import record

FLOATING_IPS = ["192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13"]


class Lease:
    def __init__(self, *args, **kwargs):
        record("chi.lease.Lease", *args, **kwargs)
        self.id = None
        self.node_reservations = []
        self.amount = 0

    def add_node_reservation(self, *args, **kwargs):
        record("chi.lease.Lease.add_node_reservation", *args, **kwargs)
        self.amount = kwargs.get("amount", 1)

    def add_flavor_reservation(self, *args, **kwargs):
        record("chi.lease.Lease.add_flavor_reservation", *args, **kwargs)
        self.amount = kwargs.get("amount", 1)

    def add_fip_reservation(self, *args, **kwargs):
        record("chi.lease.Lease.add_fip_reservation", *args, **kwargs)

    def submit(self, *args, **kwargs):
        record("chi.lease.Lease.submit", *args, **kwargs)
        self.id = "lease-1"
        self.node_reservations = [{"id": "reservation-1", "min": self.amount, "max": self.amount}]

    def get_reserved_floating_ips(self, *args, **kwargs):
        record("chi.lease.Lease.get_reserved_floating_ips", *args, **kwargs)
        return FLOATING_IPS[: max(self.amount, 1)]

    def get_reserved_flavors(self, *args, **kwargs):
        record("chi.lease.Lease.get_reserved_flavors", *args, **kwargs)

        class Flavor:
            name = "reserved-flavor"

        return [Flavor()]


def delete_lease(*args, **kwargs):
    record("chi.lease.delete_lease", *args, **kwargs)
