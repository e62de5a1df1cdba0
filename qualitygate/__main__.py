from qualitygate.cli import main

raise SystemExit(main())
