from ysched_tui.cli import main

raise SystemExit(main())
