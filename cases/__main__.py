from cases.cli import main

raise SystemExit(main())
