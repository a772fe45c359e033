package indirectdep

func Word() string { return "world" }
