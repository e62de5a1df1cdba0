from qualitygate import main

raise SystemExit(main())
