from chi import record, uploaded

SERVERS: list = []


class Server:
    def __init__(self, *args, **kwargs):
        record("chi.server.Server", *args, **kwargs)
        self.name = args[0] if args else kwargs["name"]
        self.index = len(SERVERS)
        SERVERS.append(self)

    @property
    def addresses(self):
        return {"sharednet1": [{"addr": f"10.140.0.{11 + self.index}", "version": 4, "OS-EXT-IPS:type": "fixed"}]}

    def submit(self, *args, **kwargs):
        record("chi.server.Server.submit", *args, **kwargs, _server=self.name)
        return self

    def add_security_group(self, *args, **kwargs):
        record("chi.server.Server.add_security_group", *args, **kwargs, _server=self.name)

    def associate_floating_ip(self, *args, **kwargs):
        record("chi.server.Server.associate_floating_ip", *args, **kwargs, _server=self.name)

    def check_connectivity(self, *args, **kwargs):
        record("chi.server.Server.check_connectivity", *args, **kwargs, _server=self.name)
        return True

    def upload(self, *args, **kwargs):
        record("chi.server.Server.upload", *args, **kwargs, _server=self.name, _content=uploaded(args[0]))

    def execute(self, *args, **kwargs):
        record("chi.server.Server.execute", *args, **kwargs, _server=self.name)

    def detach_floating_ip(self, *args, **kwargs):
        record("chi.server.Server.detach_floating_ip", *args, **kwargs, _server=self.name)

    def delete(self, *args, **kwargs):
        record("chi.server.Server.delete", *args, **kwargs, _server=self.name)


def get_server(*args, **kwargs):
    record("chi.server.get_server", *args, **kwargs)
    return Server(args[0] if args else kwargs["name"])
