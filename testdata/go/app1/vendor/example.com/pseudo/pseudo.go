package pseudo

func Name() string { return "pseudo" }
