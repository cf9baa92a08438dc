from cso_console.cli import main

raise SystemExit(main())
