"""An RFC 822 message read into what a ticket needs: who, what about, the text, the files.

Mail clients send every shape and charset there is, often mislabelled; reading never fails on a
part: a part that cannot be decoded is read as best it can and the raw message stays stored.
"""

from __future__ import annotations

import email
import mimetypes
import re
from dataclasses import dataclass, field
from email import policy
from email.message import Message

import charset_normalizer
import nh3
from markdownify import markdownify

from .envelope import header, sender
from .ids import first_id, message_ids

# What mail clients declare versus what they send: browsers read these labels the same way
# (the WHATWG encoding standard), since Latin-1 mail is nearly always Windows-1252 in practice.
CHARSET_ALIASES = {
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
}
# Structure worth keeping when an HTML body becomes Markdown; everything else is unwrapped.
HTML_KEEP = {
    "p", "br", "div", "span", "a", "b", "strong", "i", "em", "u", "ul", "ol", "li", "blockquote",
    "pre", "code", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
    "hr",
}  # fmt: skip
# Elements whose text is never the message: style sheets, scripts, Office's XML islands.
HTML_DROP_CONTENT = {"script", "style", "xml", "head", "title", "template", "noscript", "object"}
PRE_BLOCK = re.compile(r"(<pre\b.*?</pre>)", re.DOTALL | re.IGNORECASE)
WHITESPACE = re.compile(r"[ \t\r\n]+")
HTML_KEEP_ATTRIBUTES = {"a": {"href"}, "div": {"class"}, "blockquote": {"class"}}


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes
    inline: bool = False


@dataclass
class ParsedMessage:
    message_id: str | None
    from_address: str
    from_name: str
    subject: str
    in_reply_to: list[str]
    references: list[str]
    text: str  # the body as Markdown (plain text is valid Markdown)
    is_html: bool
    attachments: list[Attachment] = field(default_factory=list)
    forwarded: list[str] = field(default_factory=list)  # text of attached forwarded messages
    headers: dict[str, str] = field(default_factory=dict)
    message: Message | None = None


def parse(raw: bytes) -> ParsedMessage:
    msg = email.message_from_bytes(raw, policy=policy.default)
    from_name, from_address = sender(msg)
    plain, html, attachments, forwarded = _walk(msg)
    if plain is not None and plain.strip():
        text, is_html = plain, False
    elif html is not None:
        text, is_html = html_to_markdown(html), True
    else:
        text, is_html = plain or "", False
    return ParsedMessage(
        message_id=first_id(header(msg, "Message-ID")),
        from_address=from_address.lower().replace("\x00", ""),
        from_name=from_name.replace("\x00", ""),
        subject=" ".join(header(msg, "Subject").replace("\x00", "").split()),
        in_reply_to=message_ids(header(msg, "In-Reply-To")),
        references=message_ids(header(msg, "References")),
        text=_normalise_newlines(text),
        is_html=is_html,
        attachments=attachments,
        forwarded=forwarded,
        headers={name.lower(): header(msg, name) for name in set(msg.keys())},
        message=msg,
    )


def _walk(msg: Message) -> tuple[str | None, str | None, list[Attachment], list[str]]:
    """The first text/plain and text/html bodies, the files, the forwarded messages."""
    plain: str | None = None
    html: str | None = None
    attachments: list[Attachment] = []
    forwarded: list[str] = []
    stack: list[Message] = [msg]
    while stack:
        part = stack.pop(0)
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message):
                forwarded.append(_forwarded_text(inner))
                attachments.append(
                    Attachment(
                        name=_filename(part, "forwarded", ".eml"),
                        content_type="message/rfc822",
                        data=inner.as_bytes(policy=policy.default.clone(linesep="\r\n")),
                    )
                )
            continue
        if ctype == "message/delivery-status":
            continue  # a bounce's machine-readable report; the raw message keeps it
        if part.is_multipart():
            stack[0:0] = list(part.get_payload())
            continue
        disposition = (part.get_content_disposition() or "").lower()
        is_body_type = ctype in ("text/plain", "text/html")
        if is_body_type and disposition != "attachment":
            content = decode_text(part)
            if ctype == "text/plain" and plain is None:
                plain = content
                continue
            if ctype == "text/html" and html is None:
                html = content
                continue
        data = part.get_payload(decode=True) or b""
        if not data:
            continue
        ext = mimetypes.guess_extension(ctype) or ".bin"
        attachments.append(
            Attachment(
                name=_filename(part, "inline" if part.get("Content-ID") else "attachment", ext),
                content_type=ctype,
                data=data,
                inline=bool(part.get("Content-ID")) and disposition != "attachment",
            )
        )
    return plain, html, attachments, forwarded


def _filename(part: Message, stem: str, ext: str) -> str:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001 - a malformed parameter
        name = None
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip()
    return (name or f"{stem}{ext}")[:255]


def decode_text(part: Message) -> str:
    """A text part as str: the declared charset when it decodes cleanly, else a detected one,
    else Windows-1252 with replacement characters (never an exception)."""
    data = part.get_payload(decode=True) or b""
    declared = (part.get_content_charset() or "").lower()
    for charset in filter(None, (CHARSET_ALIASES.get(declared, declared), "utf-8")):
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    best = charset_normalizer.from_bytes(data).best()
    if best is not None:
        return str(best)
    return data.decode("cp1252", errors="replace")


def html_to_markdown(html: str) -> str:
    """Sanitise first (scripts, style sheets, Office XML and conditional comments go, with
    their content), then turn the structure that is left into Markdown."""
    clean = nh3.clean(
        html,
        tags=HTML_KEEP,
        clean_content_tags=HTML_DROP_CONTENT,
        attributes=HTML_KEEP_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )
    # A line break in HTML source is a space; the comment's Markdown would make it a hard break.
    parts = PRE_BLOCK.split(clean)
    clean = "".join(p if PRE_BLOCK.fullmatch(p) else WHITESPACE.sub(" ", p) for p in parts)
    text = markdownify(clean, heading_style="ATX", bullets="-", strip=["span"])
    lines = [line.rstrip() for line in text.replace("\xa0", " ").splitlines()]
    # Outlook wraps every line in its own paragraph: collapse the blank runs this leaves.
    out: list[str] = []
    for line in lines:
        if not line.strip() and out and not out[-1].strip():
            continue
        out.append(line)
    return "\n".join(out).strip()


def _forwarded_text(inner: Message) -> str:
    try:
        parsed = parse(inner.as_bytes(policy=policy.default.clone(linesep="\n")))
    except Exception:  # noqa: BLE001 - the outer message is still ingested
        return ""
    return (
        f"From: {parsed.from_name} <{parsed.from_address}>\nSubject: {parsed.subject}\n\n"
        f"{parsed.text}"
    )


def _normalise_newlines(text: str) -> str:
    # NUL too: PostgreSQL text refuses it, and no mail client means one.
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
