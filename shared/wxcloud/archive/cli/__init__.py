"""``python -m wxcloud.archive`` (``wxcloud-archive``): the archive from a terminal; ``main.py``
parses and runs the commands, ``console.py`` draws their answers for people.
"""

from __future__ import annotations
