from mtg_tracker.cli import main

main()
