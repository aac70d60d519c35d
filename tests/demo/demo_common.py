"""What the checks of the demo share: they read it as its people would, over
JSON-RPC and HTTP. pytest puts this folder on the import path."""

import json


class DemoRpcMixin:
    """For an HttpCase on the demo database, whose users' password is their
    login."""

    def _ref(self, xmlid):
        return self.env.ref(f"compte_commun_communs.{xmlid}")

    def _call_kw(self, login, model, method, args, kwargs=None):
        """Call a model's method over JSON-RPC as the demo user ``login``
        (whose password is their login), as the web client does.

        :return: the JSON-RPC response: its "result" or its "error"
        """
        self.authenticate(login, login)
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "model": model,
                        "method": method,
                        "args": args,
                        "kwargs": kwargs or {},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        response.raise_for_status()
        return response.json()
