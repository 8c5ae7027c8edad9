"""What the sample feedback is about: product areas of operations software for distributors.

Each topic names the parts customers use today (`things`, `uses`), what goes wrong with
them (`symptoms`), who speaks (`roles`) and the features customers ask for, with what the
feature is `about` and the words customers use when asking for it (`wants`, verb phrases
in the base form). All invented for Pilothouse's tests and demo.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FeatureSpec:
    title: str
    description: str
    wants: tuple[str, ...]


@dataclass(frozen=True)
class TopicSpec:
    key: str
    things: tuple[str, ...]
    uses: tuple[str, ...]
    symptoms: tuple[str, ...]
    roles: tuple[str, ...]
    features: tuple[FeatureSpec, ...]


# "= key" starts a topic; "field: a; b; c" adds phrases to a field (a field may take
# several lines); "feature: Title" starts a feature, its indented "about:" and "wants:"
# lines follow.
_TOPIC_TABLE = """
= checkout
things: checkout page; cart; order summary; delivery slot picker; saved cart
uses: check out with a saved cart; add items to the cart; pick a delivery slot
uses: apply a promo code at checkout; reorder from a past order
symptoms: the cart empties itself when I switch tabs; the order total doesn't match the cart
symptoms: the promo code is applied twice; the delivery slot picker shows no slots
symptoms: the checkout button stays greyed out
roles: our purchasing team; the buyer at our Leeds branch; our store manager
feature: Split shipments at checkout
    about: Let buyers split one order into several deliveries to different sites.
    wants: split an order across two delivery addresses; ship part of the cart to a second site
    wants: send half of an order to our other depot
feature: Purchase order number at checkout
    about: Capture the buyer's PO number at checkout and print it on the invoice.
    wants: enter our PO number at checkout; add a purchase order reference to every order
    wants: make the PO number field mandatory for our buyers
feature: Quick order by SKU
    about: Paste or type SKUs and quantities to fill the cart in one go.
    wants: paste a list of SKUs straight into the cart
    wants: type item codes and quantities to build an order quickly
    wants: upload a spreadsheet of SKUs into the cart
= quotes
things: quote builder; quote PDF; discount approval; quote template; quote list
uses: create a quote; send a quote to a customer; approve a discount request
uses: turn a quote into an order; duplicate an old quote
symptoms: the quote PDF cuts off the last line item
symptoms: approved discounts disappear after saving the quote; the quote number jumps by two
symptoms: expired quotes still show as open; the margin column on quotes shows NaN
roles: our sales desk; the account manager for the north; our inside sales rep
feature: Quote expiry reminders
    about: Remind the rep and the customer before a quote expires.
    wants: get a reminder a few days before a quote expires
    wants: email the customer automatically before their quote runs out
    wants: nudge reps about quotes that are about to expire
feature: Tiered discount approvals
    about: Route discounts above set thresholds on a quote to the right approver.
    wants: send quote discounts over 15 percent to the sales director for approval
    wants: set different approvers for different discount levels
    wants: have large quote discounts approved by finance first
feature: E-signature on quotes
    about: Customers accept a quote by signing it online.
    wants: let customers sign the quote online; accept quotes with an electronic signature
    wants: get quotes signed without printing them
= invoicing
things: invoice PDF; invoice run; credit note screen; VAT summary; invoice list
uses: send an invoice; issue a credit note; run the monthly invoices; download the invoice PDF
uses: resend an invoice to a customer
symptoms: the VAT total on invoices is off by a cent
symptoms: the invoice PDF shows our old company address
symptoms: credit notes get the same number as the invoice
symptoms: the invoice run stops halfway without a message; invoices go out in the wrong currency
roles: our finance team; accounts receivable; the group controller
feature: Consolidated monthly invoices
    about: One invoice per customer per month covering all their deliveries.
    wants: combine all of a customer's deliveries into one monthly invoice
    wants: send one invoice per month instead of one per delivery
    wants: group a month of deliveries on a single invoice
feature: Custom invoice numbering
    about: Choose the prefix and sequence of invoice numbers for each legal entity.
    wants: set our own invoice number prefix for each entity
    wants: restart the invoice numbering every year
    wants: use a separate invoice number sequence for each country
feature: E-invoicing
    about: Send invoices in the structured electronic formats public-sector buyers need.
    wants: send invoices in the electronic format our public sector customers require
    wants: deliver invoices straight into our customers' procurement systems
    wants: issue structured electronic invoices
= payments
things: payment link; card payment page; refund screen; direct debit mandate
uses: pay by card; refund a payment; send a payment link; set up a direct debit
uses: match a bank payment to an invoice
symptoms: card payments fail with a generic decline; refunds show as pending for weeks
symptoms: the payment link expires after one hour; the same card payment is recorded twice
symptoms: direct debit collections run a day late
roles: our credit controller; the cash collection team; our bookkeeper
feature: Automatic payment reminders
    about: Chase overdue invoices with a schedule of reminder emails.
    wants: chase overdue invoices automatically
    wants: send reminder emails on a schedule when payments are late
    wants: stop chasing late payers by hand
feature: Partial payments
    about: Record several payments against one invoice, or one payment across several.
    wants: record a partial payment against an invoice
    wants: let customers pay an invoice in instalments
    wants: split one payment across several invoices
feature: Bank feed matching
    about: Match incoming bank transactions to open invoices automatically.
    wants: match bank transactions to open invoices automatically
    wants: import our bank statement and reconcile it; connect our bank feed for reconciliation
= warehouse
things: pick list; stock count screen; bin location view; goods-in screen
uses: print a pick list; scan a barcode at goods-in; move stock between bins
uses: book in a delivery from a supplier; run a stock count
symptoms: the scanner screen freezes after a few scans; stock levels go negative after a count
symptoms: pick lists print in the wrong bin order; goods-in doubles the received quantity
symptoms: the bin view shows stock that was moved yesterday
roles: our warehouse team; the night shift pickers; our stock controller
feature: Wave picking
    about: Group orders into waves so pickers walk each aisle once.
    wants: batch several orders into one picking round
    wants: pick multiple orders in a single walk through the warehouse
    wants: group orders into picking waves by route
feature: Cycle counting schedule
    about: Plan stock counts of a few bins every day instead of a yearly stocktake.
    wants: schedule cycle counts for a few bins each day
    wants: count stock continuously instead of closing for a stocktake
    wants: plan rolling stock counts by warehouse zone
feature: Serial and lot tracking
    about: Record serial and lot numbers from goods-in to delivery.
    wants: track lot numbers from goods-in to delivery; record serial numbers on every shipment
    wants: trace which batch went to which customer
= delivery
things: route planner; driver app; proof of delivery; delivery tracking link
uses: plan tomorrow's routes; assign a driver to a route; capture a signature on delivery
uses: share a tracking link with a customer; reschedule a delivery
symptoms: the route planner puts the same stop on two routes
symptoms: proof of delivery photos don't upload; the tracking link shows the wrong van
symptoms: drivers get logged out of the driver app mid-route
symptoms: rescheduled deliveries still show the old date
roles: our drivers; the transport planner; our dispatch desk
feature: Delivery time windows
    about: Customers choose a delivery time window and route planning respects it.
    wants: let customers pick a delivery time window
    wants: respect the opening hours of each site when planning routes
    wants: promise customers a two-hour delivery window
feature: Live driver tracking
    about: Show the van's position and an arrival estimate to customers.
    wants: show customers where the van is right now; send an ETA text when the driver is close
    wants: track our vans live on a map
feature: Route optimisation
    about: Plan the shortest delivery routes across all vans automatically.
    wants: optimise delivery routes automatically overnight
    wants: plan the shortest route for each van; balance delivery stops across drivers
= reporting
things: sales dashboard; report builder; CSV export; margin report
uses: export a report to CSV; filter the dashboard by region; build a custom report
uses: share a dashboard with my manager; compare this month's sales with last year
symptoms: the CSV export cuts off after ten thousand rows
symptoms: the dashboard totals don't match the invoice list
symptoms: charts on the sales dashboard are blank for last month
symptoms: scheduled report emails arrive empty
symptoms: dates in the report export are in the wrong timezone
roles: our management team; the analyst in finance; my director
feature: Scheduled report delivery
    about: Email any report as CSV or PDF on a schedule.
    wants: email the sales report every Monday morning
    wants: schedule a report to land in our inbox weekly
    wants: send the margin report to the board automatically
feature: Excel export
    about: Export any report or table to an Excel workbook with formatting.
    wants: export reports straight to Excel; download the dashboard as an xlsx workbook
    wants: keep number formats when exporting a report
feature: Custom dashboard widgets
    about: Build dashboard tiles from saved reports and arrange them.
    wants: pin our own charts to the dashboard; build a dashboard tile from a saved report
    wants: rearrange and resize the dashboard widgets
= integrations
things: ERP sync; accounting export; webhook settings; integration log
uses: sync orders to our ERP; export journals to the accounting package; set up a webhook
uses: generate an API key; read the integration log
symptoms: the ERP sync stops every night at 2am; webhooks fire twice for the same order
symptoms: the API times out on large orders; the accounting export skips credit notes
symptoms: the integration log is empty even though syncs fail
roles: our IT department; our in-house developer; the systems integrator we use
feature: Two-way ERP sync
    about: Keep customers, products and stock in step with the ERP in both directions.
    wants: sync stock levels back from our ERP
    wants: push customer changes both ways between the ERP and your system
    wants: keep product data in step with the ERP
feature: Webhook retries
    about: Retry failed webhook deliveries with backoff and show their history.
    wants: retry failed webhooks automatically; see the delivery history of each webhook
    wants: replay a webhook that our server missed
feature: Bulk API endpoints
    about: Higher API rate limits and bulk endpoints for large integrations.
    wants: raise the API rate limit for our integration
    wants: update thousands of products in one API call; import orders in bulk through the API
= access
things: login page; user invite email; roles screen; two-factor prompt
uses: log in from a new laptop; invite a new colleague; change someone's role; reset my password
uses: remove a user who left the company
symptoms: the password reset email never arrives; users get logged out every few minutes
symptoms: the invite link says it has expired straight away; the two-factor code is rejected
symptoms: removed users can still log in
roles: our IT admin; a new starter; our security officer
feature: Single sign-on
    about: Log in with the company identity provider over SAML or OpenID Connect.
    wants: log in with our company identity provider; set up SAML single sign-on
    wants: turn on SSO for all our users
feature: Custom roles and permissions
    about: Define roles with exactly the permissions a team needs.
    wants: create our own roles with specific permissions
    wants: give the warehouse staff read-only access to orders; restrict who can see cost prices
feature: Audit log of user actions
    about: See who changed what and when, and export it for auditors.
    wants: see who changed a price and when; export an audit trail of user actions
    wants: keep a log of every login for our auditors
= mobile
things: mobile app; tablet view; push notification; app home screen
uses: approve orders on my phone; use the app on a tablet; take a photo in the app
uses: open the app in a customer's basement; switch accounts in the mobile app
symptoms: the mobile app crashes when I open an order; push notifications arrive hours late
symptoms: the tablet view cuts off the right column; the app logs me out every morning
symptoms: photos taken in the app come out sideways
roles: our field sales team; the rep on the road; our site manager
feature: Offline mode for the mobile app
    about: Keep working in the app without a connection and sync when back online.
    wants: use the app without signal and sync later; take orders offline at customer sites
    wants: keep working in the app where there is no mobile coverage
feature: Dark mode
    about: A dark theme for the web and mobile apps.
    wants: switch the app to a dark theme; have a dark mode for the night shift
    wants: use darker screen colours in the app
feature: Camera barcode scanning
    about: Scan barcodes with the phone camera instead of a dedicated scanner.
    wants: scan barcodes with the phone camera
    wants: use our phones instead of handheld barcode scanners
    wants: look up a product by pointing the phone camera at its barcode
= search
things: product search; search filter panel; catalog page; search results page
uses: search by part number; filter products by brand; find a product by its old code
uses: sort search results by price; browse the catalog by category
symptoms: searching for a part number returns nothing; search filters reset when I go back
symptoms: the search results show discontinued items
symptoms: product images don't load on the catalog page; product search is case sensitive
roles: our buyers; the trade counter staff; our customers' purchasers
feature: Search synonyms
    about: Map trade names and old part codes to the products customers mean.
    wants: teach the product search our trade names; find products by their old part numbers
    wants: set up search synonyms so spelling variants match
feature: Saved searches
    about: Save a product search with its filters and hear about new matches.
    wants: save a product search with its filters
    wants: get notified when new products match a saved search
    wants: reuse the same search filters every week
feature: Customer-specific catalogs
    about: Show each customer only the products they may buy.
    wants: show each customer only their own product range
    wants: hide catalog products a customer is not allowed to order
    wants: publish a separate catalog for each customer group
= notifications
things: email notifications; notification settings; daily digest; alert rules
uses: turn off email notifications; change who gets order confirmation emails
uses: set up a low stock alert; read the daily digest; mute notifications for one customer
symptoms: order confirmation emails go to spam; the daily digest email arrives twice
symptoms: notifications I turned off keep coming
symptoms: low stock alerts fire for items with plenty of stock
symptoms: links in notification emails are broken
roles: our customer service desk; every manager on our side; our operations lead
feature: Notification channels
    about: Send alerts to team chat channels and by SMS as well as email.
    wants: get alerts in our team chat instead of email; send urgent alerts by text message
    wants: route notifications to a shared chat channel
feature: Digest frequency settings
    about: Choose a daily, weekly or no notification digest per user.
    wants: choose a weekly digest instead of a daily one
    wants: set the time of the notification digest for each user
    wants: bundle all notifications into one email a day
feature: Custom email templates
    about: Brand and edit the wording of emails sent to customers.
    wants: put our logo and colours on customer emails
    wants: edit the wording of order confirmation emails
    wants: translate customer emails into German and French
"""

# Notes of kind "other" are mostly about the account itself, not the product.
ACCOUNT_TOPIC = "account"


def _parse(table: str) -> tuple[TopicSpec, ...]:
    topics: list[dict] = []
    for line in table.strip().splitlines():
        if line.startswith("= "):
            topics.append({"key": line[2:].strip(), "features": []})
            continue
        field, _, value = line.strip().partition(": ")
        phrases = [phrase.strip() for phrase in value.split(";")]
        topic = topics[-1]
        if field == "feature":
            topic["features"].append({"title": value.strip(), "about": "", "wants": []})
        elif field == "about":
            topic["features"][-1]["about"] = value.strip()
        elif field == "wants":
            topic["features"][-1]["wants"].extend(phrases)
        else:
            topic.setdefault(field, []).extend(phrases)
    return tuple(
        TopicSpec(
            key=topic["key"],
            things=tuple(topic["things"]),
            uses=tuple(topic["uses"]),
            symptoms=tuple(topic["symptoms"]),
            roles=tuple(topic["roles"]),
            features=tuple(
                FeatureSpec(f["title"], f["about"], tuple(f["wants"])) for f in topic["features"]
            ),
        )
        for topic in topics
    )


TOPICS: tuple[TopicSpec, ...] = _parse(_TOPIC_TABLE)
