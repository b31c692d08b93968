"""Every cloud call: the catalogue, the calls on the wire, the differential test against wx-server-sdk, the types."""
