from qa_audit.cli import main

main()
