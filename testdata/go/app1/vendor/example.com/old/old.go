package old

func Name() string { return "newer" }
