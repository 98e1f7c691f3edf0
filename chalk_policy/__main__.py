from chalk_policy.cli.main import main

main()
