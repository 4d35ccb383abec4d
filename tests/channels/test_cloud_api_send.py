"""Cloud API sends against the fake Graph API over real HTTP: exact requests, and every
failure classified as the outbound pipeline needs it."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest

from nexus.channels import (
    AuthenticationFailed,
    Button,
    ChannelConfigError,
    InvalidRequest,
    ListRow,
    ListSection,
    MediaBytes,
    MediaDescriptor,
    MediaLink,
    RateLimited,
    RecipientUnavailable,
    TransientError,
    UnknownOutcome,
    WindowClosed,
    cloud_api,
)
from nexus.channels.cloud_api import CloudApiAdapter
from nexus.channels.cloud_api_templates import parse_template
from nexus.channels.outbound import Template, TemplateButton
from nexus.models import MessageType
from tests.fakes.cloud_api import (
    ACCESS_TOKEN,
    APP_SECRET,
    PHONE_NUMBER_ID,
    WABA_ID,
    FakeCloudApi,
)

TO = "5511988887777"
_NAMED_CUSTOMER = [
    {"type": "body", "parameters": [{"type": "text", "parameter_name": "customer", "text": "Ana"}]}
]


def make_adapter(fake: FakeCloudApi, http: httpx.AsyncClient, **config: str) -> CloudApiAdapter:
    return CloudApiAdapter(
        {"phone_number_id": PHONE_NUMBER_ID, "base_url": fake.base_url, **config},
        {"access_token": ACCESS_TOKEN, "app_secret": APP_SECRET, "verify_token": "v"},
        http,
    )


@pytest.fixture
def adapter(fake_cloud_api: FakeCloudApi, http_client: httpx.AsyncClient) -> CloudApiAdapter:
    return make_adapter(fake_cloud_api, http_client)


async def test_send_text_is_the_documented_request(
    adapter: CloudApiAdapter, fake_cloud_api: FakeCloudApi
) -> None:
    result = await adapter.send_text("+55 11 98888-7777", "Olá! Como posso ajudar?")
    request = fake_cloud_api.last("/messages")
    assert request.path == f"/v23.0/{PHONE_NUMBER_ID}/messages"
    assert request.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert request.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": TO,
        "type": "text",
        "text": {"preview_url": False, "body": "Olá! Como posso ajudar?"},
    }
    assert result.provider_message_id.startswith("wamid.")
    assert result.recipient_id == TO


async def test_api_version_comes_from_config(
    fake_cloud_api: FakeCloudApi, http_client: httpx.AsyncClient
) -> None:
    await make_adapter(fake_cloud_api, http_client, api_version="v25.0").send_text(TO, "oi")
    assert fake_cloud_api.last("/messages").path.startswith("/v25.0/")


async def test_quoted_reply(adapter: CloudApiAdapter, fake_cloud_api: FakeCloudApi) -> None:
    await adapter.send_text(TO, "Respondendo aqui", reply_to="wamid.HBgN001")
    assert fake_cloud_api.last("/messages").json["context"] == {"message_id": "wamid.HBgN001"}


async def test_media_bytes_are_uploaded_then_sent_by_id(
    adapter: CloudApiAdapter, fake_cloud_api: FakeCloudApi
) -> None:
    media = MediaBytes(b"\x89PNG fake", "image/png", "comprovante.png")
    await adapter.send_media(TO, MessageType.image, media, caption="Segue o comprovante")
    upload = fake_cloud_api.last("/media")
    assert upload.form == {"messaging_product": "whatsapp", "type": "image/png"}
    assert upload.files["file"].data == b"\x89PNG fake"
    assert upload.files["file"].filename == "comprovante.png"
    assert upload.files["file"].content_type == "image/png"
    media_id = next(iter(fake_cloud_api.media))
    assert fake_cloud_api.last("/messages").json["image"] == {
        "id": media_id,
        "caption": "Segue o comprovante",
    }


async def test_document_by_link_with_filename(
    adapter: CloudApiAdapter, fake_cloud_api: FakeCloudApi
) -> None:
    link = MediaLink("https://files.example.com/boleto.pdf", "application/pdf", "boleto.pdf")
    await adapter.send_media(TO, MessageType.document, link, caption="Boleto")
    sent = fake_cloud_api.last("/messages").json
    assert sent["type"] == "document"
    assert sent["document"] == {
        "link": "https://files.example.com/boleto.pdf",
        "caption": "Boleto",
        "filename": "boleto.pdf",
    }
    assert not fake_cloud_api.received("/media")


async def test_voice_note_is_audio_without_caption(
    adapter: CloudApiAdapter, fake_cloud_api: FakeCloudApi
) -> None:
    voice = MediaBytes(b"OggS", "audio/ogg; codecs=opus", "voice.ogg")
    await adapter.send_media(TO, MessageType.voice, voice, caption="ignored")
    sent = fake_cloud_api.last("/messages").json
    assert sent["type"] == "audio"
    assert set(sent["audio"]) == {"id"}


async def test_documented_media_limits_are_checked_before_calling(
    adapter: CloudApiAdapter, fake_cloud_api: FakeCloudApi
) -> None:
    with pytest.raises(InvalidRequest):
        await adapter.send_media(
            TO, MessageType.image, MediaBytes(b"x" * (5 * 2**20 + 1), "image/jpeg")
        )
    with pytest.raises(InvalidRequest):
        await adapter.send_media(TO, MessageType.image, MediaBytes(b"GIF89a", "image/gif"))
    with pytest.raises(InvalidRequest):
        await adapter.send_text(TO, "x" * 4097)
    assert fake_cloud_api.requests == []


async def test_template(adapter: CloudApiAdapter, fake_cloud_api: FakeCloudApi) -> None:
    components = [
        {
            "type": "body",
            "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "#4521"}],
        }
    ]
    await adapter.send_template(TO, "order_update", "pt_BR", components)
    assert fake_cloud_api.last("/messages").json["template"] == {
        "name": "order_update",
        "language": {"code": "pt_BR"},
        "components": components,
    }


async def test_templates_are_the_approved_ones_of_every_page(
    fake_cloud_api: FakeCloudApi, http_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cloud_api, "TEMPLATE_PAGE_SIZE", 2)
    adapter = make_adapter(fake_cloud_api, http_client, waba_id=WABA_ID)

    templates = await adapter.list_templates()

    assert [(t.name, t.language) for t in templates] == [
        ("order_update", "pt_BR"),
        ("retomar_contato", "pt_BR"),
        ("boleto_pdf", "pt_BR"),
        ("order_update", "en_US"),
    ]
    order, named, document, _ = templates
    assert order == Template(
        name="order_update",
        language="pt_BR",
        body="Olá {{1}}, o pedido {{2}} saiu para entrega.",
        category="UTILITY",
        header="Seu pedido",
        footer="Loja X",
        body_parameters=("1", "2"),
        header_format="text",
    )
    assert named.body_parameters == ("customer",) and named.named_parameters
    assert document.header_format == "document" and document.body_parameters == ()
    assert document.buttons == (
        TemplateButton(index=0, kind="url", text="Pagar", url="https://x.example/{{1}}"),
    )
    assert document.supported
    requests = fake_cloud_api.received("/message_templates")
    assert [r.query.get("after") for r in requests] == [None, "2"]
    assert requests[0].query["status"] == "APPROVED"
    assert requests[0].headers["authorization"] == f"Bearer {ACCESS_TOKEN}"


async def test_templates_need_the_business_account_id(adapter: CloudApiAdapter) -> None:
    with pytest.raises(ChannelConfigError, match="waba_id"):
        await adapter.list_templates()


def test_template_variables_are_read_in_send_order() -> None:
    template = parse_template(
        {
            "name": "t",
            "language": "pt_BR",
            "components": [
                {"type": "HEADER", "format": "TEXT", "text": "Pedido {{1}}"},
                {"type": "BODY", "text": "{{2}} e {{1}}, de novo {{2}}"},
                {
                    "type": "BUTTONS",
                    "buttons": [
                        {"type": "QUICK_REPLY", "text": "Ok"},
                        {"type": "URL", "text": "Site", "url": "https://loja.example/"},
                        {"type": "COPY_CODE", "example": "PROMO10"},
                        {"type": "URL", "text": "Rastrear", "url": "https://x.example/{{1}}"},
                    ],
                },
            ],
        }
    )
    assert template is not None
    assert template.body_parameters == ("1", "2")
    assert template.header_parameters == ("1",)
    assert not template.named_parameters
    # Indexes count every button, those that take no value too.
    assert template.buttons == (
        TemplateButton(index=2, kind="copy_code", text=""),
        TemplateButton(index=3, kind="url", text="Rastrear", url="https://x.example/{{1}}"),
    )
    assert template.supported
    assert parse_template({"name": "t", "language": "pt_BR", "components": []}) is None


def test_templates_an_agent_cannot_fill_in_are_unsupported() -> None:
    def parsed(*components: dict[str, Any]) -> Template:
        body = {"type": "BODY", "text": "Oi"}
        template = parse_template(
            {"name": "t", "language": "pt_BR", "components": [body, *components]}
        )
        assert template is not None
        return template

    assert parsed().supported
    assert parsed({"type": "HEADER", "format": "IMAGE"}).supported
    assert not parsed({"type": "HEADER", "format": "LOCATION"}).supported
    unknown = parsed({"type": "HEADER", "format": "PRODUCT"})
    assert not unknown.supported and unknown.header_format is None
    assert not parsed(
        {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE"}]}
    ).supported
    assert not parsed({"type": "BUTTONS", "buttons": [{"type": "MPM", "text": "Ver"}]}).supported


async def test_reaction(adapter: CloudApiAdapter, fake_cloud_api: FakeCloudApi) -> None:
    result = await adapter.send_reaction(TO, "wamid.HBgN001", "👍")
    sent = fake_cloud_api.last("/messages").json
    assert sent["type"] == "reaction"
    assert sent["reaction"] == {"message_id": "wamid.HBgN001", "emoji": "👍"}
    assert result.provider_message_id.startswith("wamid.")


async def test_mark_read_and_typing(adapter: CloudApiAdapter, fake_cloud_api: FakeCloudApi) -> None:
    await adapter.mark_read(TO, ["wamid.A", "wamid.B"])
    assert fake_cloud_api.last("/messages").json == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.B",
    }
    await adapter.send_typing(TO, message_id="wamid.B")
    assert fake_cloud_api.last("/messages").json == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.B",
        "typing_indicator": {"type": "text"},
    }
    with pytest.raises(InvalidRequest):
        await adapter.send_typing(TO)


async def test_reply_buttons(adapter: CloudApiAdapter, fake_cloud_api: FakeCloudApi) -> None:
    await adapter.send_interactive_buttons(
        TO,
        "Escolha uma opção",
        [Button("talk_to_agent", "Atendente"), Button("track_order", "Rastrear")],
    )
    assert fake_cloud_api.last("/messages").json["interactive"] == {
        "type": "button",
        "body": {"text": "Escolha uma opção"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "talk_to_agent", "title": "Atendente"}},
                {"type": "reply", "reply": {"id": "track_order", "title": "Rastrear"}},
            ]
        },
    }


async def test_list(adapter: CloudApiAdapter, fake_cloud_api: FakeCloudApi) -> None:
    sections = [
        ListSection(
            "Atendimento",
            [ListRow("dept_billing", "Financeiro", "Boletos"), ListRow("dept_support", "Suporte")],
        )
    ]
    await adapter.send_interactive_list(
        TO,
        "Para qual setor?",
        "Ver opções",
        sections,
        header="Departamentos",
        footer="Horário 8h-18h",
    )
    assert fake_cloud_api.last("/messages").json["interactive"] == {
        "type": "list",
        "header": {"type": "text", "text": "Departamentos"},
        "body": {"text": "Para qual setor?"},
        "footer": {"text": "Horário 8h-18h"},
        "action": {
            "button": "Ver opções",
            "sections": [
                {
                    "title": "Atendimento",
                    "rows": [
                        {"id": "dept_billing", "title": "Financeiro", "description": "Boletos"},
                        {"id": "dept_support", "title": "Suporte"},
                    ],
                }
            ],
        },
    }


async def test_interactive_limits(adapter: CloudApiAdapter) -> None:
    with pytest.raises(InvalidRequest):
        await adapter.send_interactive_buttons(TO, "b", [Button(str(i), "t") for i in range(4)])
    with pytest.raises(InvalidRequest):
        await adapter.send_interactive_buttons(TO, "b", [Button("a", "x" * 21)])
    rows = [ListRow(str(i), "r") for i in range(11)]
    with pytest.raises(InvalidRequest):
        await adapter.send_interactive_list(TO, "b", "Ver", [ListSection(None, rows)])


async def test_download_media_asks_a_fresh_url_then_fetches_with_the_token(
    adapter: CloudApiAdapter, fake_cloud_api: FakeCloudApi
) -> None:
    media_id = fake_cloud_api.add_media(b"%PDF-1.7", "application/pdf")
    fake_cloud_api.expire_media_urls()  # an old URL from the webhook would fail
    media = await adapter.download_media(
        MediaDescriptor(provider_media_id=media_id, filename="boleto.pdf")
    )
    assert (media.data, media.mime_type, media.filename) == (
        b"%PDF-1.7",
        "application/pdf",
        "boleto.pdf",
    )
    download = fake_cloud_api.last("/lookaside/")
    assert download.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"


# --- error classification ------------------------------------------------------------


async def test_throughput_limit_is_rate_limited(
    adapter: CloudApiAdapter, fake_cloud_api: FakeCloudApi
) -> None:
    fake_cloud_api.rate_limit_next(status=429)
    with pytest.raises(RateLimited) as error:
        await adapter.send_text(TO, "oi")
    assert (error.value.code, error.value.http_status) == ("130429", 429)
    # Meta also answers 130429 with HTTP 400: the code decides, not the status.
    fake_cloud_api.rate_limit_next(status=400)
    with pytest.raises(RateLimited):
        await adapter.send_text(TO, "oi")


async def test_outside_the_window_is_window_closed(
    adapter: CloudApiAdapter, fake_cloud_api: FakeCloudApi
) -> None:
    fake_cloud_api.window_closed.add(TO)
    with pytest.raises(WindowClosed) as error:
        await adapter.send_text(TO, "oi")
    assert error.value.code == "131047"
    # Templates are what may be sent outside the window.
    await adapter.send_template(TO, "retomar_contato", "pt_BR", _NAMED_CUSTOMER)


async def test_undeliverable_is_permanent(
    adapter: CloudApiAdapter, fake_cloud_api: FakeCloudApi
) -> None:
    fake_cloud_api.error_next(131026)
    with pytest.raises(RecipientUnavailable):
        await adapter.send_text(TO, "oi")


async def test_expired_token_is_an_authentication_failure(
    fake_cloud_api: FakeCloudApi, http_client: httpx.AsyncClient
) -> None:
    adapter = CloudApiAdapter(
        {"phone_number_id": PHONE_NUMBER_ID, "base_url": fake_cloud_api.base_url},
        {"access_token": "expired", "app_secret": APP_SECRET},
        http_client,
    )
    with pytest.raises(AuthenticationFailed) as error:
        await adapter.send_text(TO, "oi")
    assert (error.value.code, error.value.http_status) == ("190", 401)


async def test_server_errors_are_transient(
    adapter: CloudApiAdapter, fake_cloud_api: FakeCloudApi
) -> None:
    fake_cloud_api.server_error_next(502)  # an HTML page from a proxy, no JSON
    with pytest.raises(TransientError) as error:
        await adapter.send_text(TO, "oi")
    assert error.value.http_status == 502
    fake_cloud_api.error_next(131000, status=500)
    with pytest.raises(TransientError):
        await adapter.send_text(TO, "oi")


async def test_dropped_connection_after_sending_is_unknown_outcome(
    adapter: CloudApiAdapter, fake_cloud_api: FakeCloudApi
) -> None:
    fake_cloud_api.drop_next(path="/messages")
    with pytest.raises(UnknownOutcome):
        await adapter.send_text(TO, "oi")
    assert fake_cloud_api.last("/messages").json["text"]["body"] == "oi"  # it did arrive


async def test_read_timeout_on_send_is_unknown_outcome(
    fake_cloud_api: FakeCloudApi, http_client: httpx.AsyncClient
) -> None:
    adapter = make_adapter(fake_cloud_api, http_client, timeout_seconds="0.2")
    fake_cloud_api.delay_next(2.0, path="/messages")
    with pytest.raises(UnknownOutcome):
        await adapter.send_text(TO, "oi")


async def test_lost_answers_of_safe_calls_are_transient(
    fake_cloud_api: FakeCloudApi, http_client: httpx.AsyncClient
) -> None:
    adapter = make_adapter(fake_cloud_api, http_client, timeout_seconds="0.2")
    media_id = fake_cloud_api.add_media(b"x", "image/jpeg")
    fake_cloud_api.drop_next()
    with pytest.raises(TransientError):
        await adapter.download_media(MediaDescriptor(provider_media_id=media_id))
    fake_cloud_api.delay_next(2.0)
    with pytest.raises(TransientError):
        await adapter.mark_read(TO, ["wamid.A"])
    # The upload before a send is repeatable too: losing its answer is not a send.
    fake_cloud_api.drop_next(path="/media")
    with pytest.raises(TransientError):
        await adapter.send_media(TO, MessageType.image, MediaBytes(b"x", "image/jpeg"))


async def test_nothing_listening_is_transient(http_client: httpx.AsyncClient) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: connection refused
    adapter = CloudApiAdapter(
        {"phone_number_id": PHONE_NUMBER_ID, "base_url": f"http://127.0.0.1:{port}"},
        {"access_token": ACCESS_TOKEN, "app_secret": APP_SECRET},
        http_client,
    )
    with pytest.raises(TransientError) as error:
        await adapter.send_text(TO, "oi")
    assert not isinstance(error.value, UnknownOutcome)
