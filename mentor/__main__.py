from .cli.__main__ import main

main()
