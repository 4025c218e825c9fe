import VLMTuneCLI

VLMTune.main()
