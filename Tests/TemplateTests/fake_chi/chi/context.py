from chi import record


class Session:
    def get_endpoint(self, **kwargs):
        return "https://chi.tacc.chameleoncloud.org:7480/swift/v1/AUTH_project"

    def get_user_id(self):
        return "user-1"

    def get_project_id(self):
        return "project-1"


def session(*args, **kwargs):
    record("chi.context.session", *args, **kwargs)
    return Session()
