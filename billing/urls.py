from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("", views.SubscriptionView.as_view(), name="subscription"),
    path("address/", views.AddressView.as_view(), name="address"),
    path("invoices/", views.InvoicesView.as_view(), name="invoices"),
    path("invoices/<str:number>/", views.InvoiceDetailView.as_view(), name="invoice"),
    path("invoices/<str:number>/pdf/", views.InvoicePdfView.as_view(), name="invoice_pdf"),
    path("invoices/<str:number>/csv/", views.InvoiceCsvView.as_view(), name="invoice_csv"),
]
