"""The SCF functions: one per analysis API, the events, the HTTP trigger, the forwarding function, the packages."""
