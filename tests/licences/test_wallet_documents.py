"""What the holder downloads and shows: the PDF's content (rendered with PDFium, its QR decoded
with ZXing), the QR code of a licence, and the seal's own image."""

import io

import pypdfium2
import pytest
import zxingcpp
from PIL import Image

from tests.licences.conftest import BUSINESS_DATA, a_year_from, issue_business
from yiwang.licences import documents, face, services
from yiwang.licences.pdf import licence_pdf

pytestmark = pytest.mark.django_db
SCALE = 3  # PDF points to pixels


def rendered(pdf: bytes) -> tuple[Image.Image, str]:
    """The first page as an image and its text, as a reader shows them."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        text = (
            page.get_textpage().get_text_range().replace("\r\n", "")
        )  # the seal's arc breaks lines
        return page.render(scale=SCALE).to_pil().convert("RGB"), text
    finally:
        document.close()


def decoded(image: Image.Image) -> list[str]:
    """The distinct texts of the QR codes in the image: only QR codes are looked for, each text
    counted once (a run once got two results for the one QR code drawn; not reproduced since)."""
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return list(dict.fromkeys(code.text for code in found))


def seal_red_pixels(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    """Pixels of the seal's red (#d0021b), not the face colour of the frame (#b22222)."""
    rgb = image.crop(box).tobytes()
    return sum(
        1 for i in range(0, len(rgb), 3) if rgb[i] > 195 and rgb[i + 1] < 40 and rgb[i + 2] < 70
    )


def test_the_licence_qr_carries_the_verification_url_with_the_identifier(business_licence):
    png = io.BytesIO()
    face.qr_code(business_licence.identifier).save(png, kind="png", scale=4, border=4)
    [url] = decoded(Image.open(png))
    assert url == documents.verification_url(business_licence.identifier)
    assert documents.identifier_from_scan(url) == business_licence.identifier


def test_the_scanned_qr_url_opens_the_verify_page_showing_valid(client, business_licence):
    png = io.BytesIO()
    face.qr_code(business_licence.identifier).save(png, kind="png", scale=4, border=4)
    [url] = decoded(Image.open(png))
    page = client.get(url.split("8000", 1)[1]).content.decode()
    assert 'data-state="valid"' in page and business_licence.identifier in page


def test_the_pdf_qr_scans_to_the_licences_verification_url(business_licence):
    image, _text = rendered(licence_pdf(business_licence))
    assert decoded(image) == [documents.verification_url(business_licence.identifier)]


def test_the_pdf_carries_the_face_rows_and_the_identifier(business_licence):
    _image, text = rendered(licence_pdf(business_licence))
    for expected in ("营业执照", "经营范围", "食品销售", "江澜味道食品有限公司", "扫码核验真伪"):
        assert expected in text
    assert business_licence.identifier in text


def test_the_pdf_draws_the_seal_in_red_with_its_inscription(business_licence):
    image, text = rendered(licence_pdf(business_licence))
    width, height = image.size
    seal_x, seal_y = width - 150 * SCALE, height - 170 * SCALE  # the seal's centre, 60 pt radius
    around_seal = (
        seal_x - 65 * SCALE,
        seal_y - 65 * SCALE,
        seal_x + 65 * SCALE,
        seal_y + 65 * SCALE,
    )
    assert seal_red_pixels(image, around_seal) > 3000
    assert seal_red_pixels(image, (0, 0, width // 2, height // 2)) == 0  # only the seal is red
    assert business_licence.seal.inscription in text


def test_a_seal_made_with_an_inscription_keeps_it_on_the_pdf_and_page(client, city, types, company):
    services.rotate_seal(
        actor=city["admin"], seal=city["market"].seals.get(), valid_until=a_year_from()
    )
    seal = services.create_seal(actor=city["admin"], organisation=city["market"], name="证照专用章",
                                valid_until=a_year_from(), inscription="江澜市市场监管局证照专用章")  # fmt: skip
    licence = issue_business(city, types, company)
    assert licence.seal == seal
    _image, text = rendered(licence_pdf(licence))
    assert "江澜市市场监管局证照专用章" in text
    client.force_login(company["agent"])
    page = client.get(f"/licences/wallet/{licence.pk}/").content.decode()
    assert 'aria-label="江澜市市场监管局证照专用章电子印章"' in page


def test_the_page_shows_the_seals_stored_image(client, company, business_licence):
    seal = business_licence.seal
    seal.appearance = '<svg class="seal" role="img" aria-label="存档印章图像"></svg>'
    seal.save(update_fields=["appearance"])
    client.force_login(company["agent"])
    assert (
        'aria-label="存档印章图像"'
        in client.get(f"/licences/wallet/{business_licence.pk}/").content.decode()
    )


def test_renaming_the_organisation_does_not_change_the_seal_on_its_licences(
    client, city, company, business_licence
):
    city["market"].name = "江澜市市场监管综合执法局"
    city["market"].save(update_fields=["name"])
    client.force_login(company["agent"])
    page = client.get(f"/licences/wallet/{business_licence.pk}/").content.decode()
    _image, text = rendered(client.get(f"/licences/wallet/{business_licence.pk}/pdf/").content)
    assert 'aria-label="江澜市市场监督管理局电子印章"' in page and "江澜市市场监督管理局" in text
    assert "综合执法局" not in page and "综合执法局" not in text  # fmt: skip


def test_a_value_too_long_for_the_pdf_is_cut_with_a_note_never_silently(city, types, company):
    scope = "食品销售；" * 60  # 300 characters: more than six lines of 28
    _image, text = rendered(
        licence_pdf(issue_business(city, types, company, data={**BUSINESS_DATA, "scope": scope}))
    )
    assert scope[:100] in text and "…" in text and "未尽内容见电子证照签名 JSON" in text  # fmt: skip


def test_rows_that_do_not_fit_stop_above_the_qr_code_and_the_seal(city, types, company):
    fields = [{"code": f"f{i}", "name": f"事项{i}"} for i in range(30)]
    many = services.create_licence_type(actor=city["admin"], defining_org=city["market"], code_suffix="030",
                                        name="许多信息项的证照", holder_code_types=["001"], fields=fields,
                                        face_layout=[[f["code"], f["name"]] for f in fields])  # fmt: skip
    licence = services.issue_licence(actor=city["reviewer"], licence_type=many, holder_name=company["name"],
                                     holder_code=company["uscc"], holder_code_type="001",
                                     data={f["code"]: f"值{i}" for i, f in enumerate(fields)})  # fmt: skip
    image, text = rendered(licence_pdf(licence))
    assert "事项0" in text and "事项29" not in text and "未尽内容见电子证照签名 JSON" in text
    assert decoded(image) == [documents.verification_url(licence.identifier)]


def test_every_character_of_a_long_value_stays_inside_the_frame(city, types, company):
    scope = "食品销售；预包装食品（含冷藏冷冻食品）销售，散装食品销售。Food retail." * 3
    document = pypdfium2.PdfDocument(
        licence_pdf(issue_business(city, types, company, data={**BUSINESS_DATA, "scope": scope}))
    )
    page = document[0]
    text, inner_frame = page.get_textpage(), page.get_width() - 42
    rightmost = max(text.get_charbox(i)[2] for i in range(text.count_chars()))
    document.close()
    assert rightmost <= inner_frame  # fmt: skip
