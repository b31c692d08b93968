"""``python -m devtools.wechat_emulator [--host H] [--port N]``: serve by hand until Ctrl-C."""

import sys

from devtools.wechat_emulator.server import main

sys.exit(main())
