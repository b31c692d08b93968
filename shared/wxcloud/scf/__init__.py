"""The SCF adapter: what turns a Tencent Cloud function invocation into a call and back.

* ``handler``: the skeleton every function shares (``ScfHandler``): the invocation's deadline,
  SCF's context scrubbed, the client built once with the appsecret from SSM, a bug answered as an
  error value, one JSON log line;
* ``app``: ``FunctionApp``, the function of one declared API (``from wxcloud import FunctionApp``);
* ``events``: what invoked the function (direct, timer, HTTP) and the cloud-call data it asks for;
* ``gateway``: the integrated response of an HTTP trigger; ``logs``: the function's own log output;
* ``forward``: ``OpenApiFunction``, the function that forwards any cloud call its config.json lists
  (``functions/openapi``), and ``bytes_json``: how bytes travel in its events and answers.

The archive's function (``wxcloud.archive.ArchiveFunction``) is built on the same skeleton.
"""
