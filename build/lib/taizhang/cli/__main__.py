"""`python -m taizhang.cli`: the `taizhang` command."""

import sys

from taizhang.cli.main import main

sys.exit(main())
