class BaseSmsBackend:
    def send_messages(self, messages) -> int:
        raise NotImplementedError
