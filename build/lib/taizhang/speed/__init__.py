"""What makes builds fast, kept apart from what they compute: results stored between builds
(`store`), the seconds each step took (`timing`), and the one place that decides whether work
runs in another process or thread (`parallel`). Everything here can be switched off and the
build gives the same site."""
