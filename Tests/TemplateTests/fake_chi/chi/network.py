from chi import record


class SecurityGroup:
    def __init__(self, *args, **kwargs):
        record("chi.network.SecurityGroup", *args, **kwargs)
        self.name = args[0]["name"]
        self.id = "group-1"

    def add_rule(self, *args, **kwargs):
        record("chi.network.SecurityGroup.add_rule", *args, **kwargs)

    def submit(self, *args, **kwargs):
        record("chi.network.SecurityGroup.submit", *args, **kwargs)


def list_security_groups(*args, **kwargs):
    record("chi.network.list_security_groups", *args, **kwargs)
    return [SecurityGroup({"name": args[0] if args else kwargs.get("name_filter")})]
