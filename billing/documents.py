"""Invoice files: a real PDF (fpdf2) and a CSV a spreadsheet opens."""

import csv
import io

from fpdf import FPDF


def _latin1(text: str) -> str:
    # The PDF core fonts are Latin-1: replace what they cannot draw rather than fail.
    return text.encode("latin-1", "replace").decode("latin-1")


def invoice_pdf(invoice) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(f"Invoice {invoice.number}")
    pdf.set_author("Roster")
    pdf.set_creator("Roster")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 20)
    pdf.cell(0, 12, "Invoice", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    rows = [
        ("Invoice number", invoice.number),
        ("Date", f"{invoice.issued_at:%d %b %Y}"),
        ("Account", invoice.account.name),
        ("Status", invoice.get_status_display()),
    ]
    for label, value in rows:
        pdf.cell(45, 7, _latin1(label))
        pdf.cell(0, 7, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 7, "Bill to", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for line in invoice.bill_to_lines() or [invoice.account.name]:
        pdf.cell(0, 6, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(130, 8, "Description", border="B")
    pdf.cell(0, 8, "Amount", border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.cell(130, 8, _latin1(invoice.description))
    pdf.cell(0, 8, invoice.amount_display, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(130, 8, "Total", border="T")
    pdf.cell(0, 8, invoice.amount_display, border="T", align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


INVOICE_CSV_HEADER = [
    "number",
    "date",
    "period_start",
    "period_end",
    "plan",
    "amount",
    "currency",
    "status",
]


def invoice_row(invoice) -> list[str]:
    return [
        invoice.number,
        invoice.issued_at.date().isoformat(),
        invoice.period_start.isoformat(),
        invoice.period_end.isoformat(),
        invoice.plan_name,
        invoice.amount,
        invoice.currency,
        invoice.status,
    ]


def invoice_csv(invoice) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(INVOICE_CSV_HEADER)
    writer.writerow(invoice_row(invoice))
    return buffer.getvalue()
