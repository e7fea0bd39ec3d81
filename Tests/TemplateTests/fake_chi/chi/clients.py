from chi import record


class Credential:
    access = "ec2-access"
    secret = "ec2-secret"
    project_id = "project-1"


class EC2:
    def list(self, user_id):
        return []

    def create(self, user_id, project_id):
        return Credential()


class Keystone:
    ec2 = EC2()


class Neutron:
    def delete_security_group(self, group_id):
        record("neutron.delete_security_group", group_id)


def keystone(*args, **kwargs):
    record("chi.clients.keystone", *args, **kwargs)
    return Keystone()


def neutron(*args, **kwargs):
    record("chi.clients.neutron", *args, **kwargs)
    return Neutron()
