"""Tencent Cloud beyond SCF's own runtime: the SDK plumbing (``sdk``), the role's credentials and
the SSM secret sources (``credentials``), reading a secret from SSM (``ssm``), and calling a
deployed function through ``Invoke`` (``invoke``: ``from wxcloud import ScfFunctionCaller``).

The SDK is imported only inside the functions that call it: a function configured with
``WX_APPSECRET`` never loads it.
"""
