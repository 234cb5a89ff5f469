"""XML-RPC documents in and out, for the Everlytic client and its simulator alike.

`xmlrpc.client.loads` uses expat with entity expansion on, so a hostile or broken server could
blow up memory with nested entities. Here the same unmarshaller is fed through defusedxml's
parser with DTDs forbidden outright: no DOCTYPE, hence no entities, internal or external.
"""

from __future__ import annotations

import xmlrpc.client
from typing import Any
from xml.parsers.expat import ExpatError

from defusedxml.xmlrpc import DefusedExpatParser  # type: ignore[import-untyped]

__all__ = ["MAX_DOCUMENT", "XmlRpcDecodeError", "dumps_call", "dumps_fault", "dumps_result", "loads"]

MAX_DOCUMENT = 16 * 1024 * 1024  # no contacts page comes near this; anything bigger is refused


class XmlRpcDecodeError(ValueError):
    """The bytes are not a well-formed, DTD-free XML-RPC document."""


def loads(data: bytes) -> tuple[tuple[Any, ...], str | None]:
    """(params, method name) of a call or response. A fault response raises
    `xmlrpc.client.Fault`; anything malformed raises `XmlRpcDecodeError`."""
    if len(data) > MAX_DOCUMENT:
        raise XmlRpcDecodeError(f"the document is larger than {MAX_DOCUMENT} bytes")
    unmarshaller = xmlrpc.client.Unmarshaller(use_builtin_types=True)
    parser = DefusedExpatParser(unmarshaller, forbid_dtd=True)
    try:
        parser.feed(data)
        parser.close()
        params = unmarshaller.close()
    except xmlrpc.client.Fault:
        raise
    except (ExpatError, ValueError, TypeError, KeyError, IndexError, xmlrpc.client.Error) as err:
        # defusedxml's DTDForbidden/EntitiesForbidden are ValueErrors too.
        raise XmlRpcDecodeError(f"not a usable XML-RPC document ({type(err).__name__}: {err})") from err
    return tuple(params), unmarshaller.getmethodname()


def dumps_call(method: str, params: tuple[Any, ...]) -> bytes:
    # allow_none stays off: <nil/> is an extension the server need not understand.
    return xmlrpc.client.dumps(params, methodname=method, encoding="utf-8").encode("utf-8")


def dumps_result(value: Any) -> bytes:
    return xmlrpc.client.dumps((value,), methodresponse=True, encoding="utf-8").encode("utf-8")


def dumps_fault(code: int, message: str) -> bytes:
    return xmlrpc.client.dumps(xmlrpc.client.Fault(code, message), encoding="utf-8").encode("utf-8")
