"""Tencent Cloud: the appsecret from SSM and the deployed function invoked through SCF."""
