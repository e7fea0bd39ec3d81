from chi import record


class Connection:
    def __init__(self, **kwargs):
        record("swiftclient.Connection", **kwargs)

    def put_container(self, name):
        record("swiftclient.Connection.put_container", name)
