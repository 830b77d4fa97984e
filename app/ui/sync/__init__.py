"""The desktop side of sync: enrolment dialog, status indicator, panel, and the controller that
runs the engine (app/sync) on a worker thread. ``shell.install_sync`` hooks it into a window."""
