from decisions.cli import main

raise SystemExit(main())
