"""Every string the delivery shows (messages, failure notices, the run's summary), in Russian and English."""

TEXT = {
    "delivery.alerts.subject": {
        "ru": "Сигналы по отчётам за {period}: {n}",
        "en": "Report alerts for {period}: {n}",
    },
    # the message
    "delivery.subject": {
        "ru": "{account}: отчёты за {period} — {scope}",
        "en": "{account}: reports for {period} — {scope}",
    },
    "delivery.subject_plain": {"ru": "Отчёты за {period} — {scope}", "en": "Reports for {period} — {scope}"},
    "delivery.greeting": {"ru": "Здравствуйте, {name}!", "en": "Hello {name},"},
    "delivery.greeting_plain": {"ru": "Здравствуйте!", "en": "Hello,"},
    "delivery.intro.manager": {
        "ru": "Ваши отчёты за {period}.",
        "en": "Your reports for {period}.",
    },
    "delivery.intro.group_head": {
        "ru": "Отчёты отдела и каждого его менеджера за {period}.",
        "en": "The reports of the group and each of its managers for {period}.",
    },
    "delivery.intro.head_of_sales": {
        "ru": "Отчёты всей команды, отделов и каждого менеджера за {period}.",
        "en": "The reports of the whole team, each group and each manager for {period}.",
    },
    "delivery.headline": {"ru": "Главные цифры ({scope})", "en": "Headline figures ({scope})"},
    "delivery.changes": {
        "ru": "Самые большие изменения к предыдущему периоду",
        "en": "Biggest changes against the previous period",
    },
    "delivery.no_changes": {
        "ru": "Сравнения с предыдущим периодом нет.",
        "en": "No comparison with the previous period.",
    },
    "delivery.change_line": {
        "ru": "{label} ({report}): {value} ({change}, было {previous})",
        "en": "{label} ({report}): {value} ({change}, was {previous})",
    },
    "delivery.attached_pdf": {"ru": "Во вложении: {files}.", "en": "Attached: {files}."},
    "delivery.attached_zip": {
        "ru": "Файлы вместе больше {limit} МБ, поэтому они в архиве: {name}.",
        "en": "The files are above {limit} MB together, so they come as one archive: {name}.",
    },
    "delivery.too_big_links": {
        "ru": "Файлы больше {limit} МБ даже в архиве, поэтому не вложены. Ссылки:",
        "en": "The files are above {limit} MB even zipped, so they are not attached. Links:",
    },
    "delivery.too_big_paths": {
        "ru": "Файлы больше {limit} МБ даже в архиве, поэтому не вложены. Они лежат здесь:",
        "en": "The files are above {limit} MB even zipped, so they are not attached. They are here:",
    },
    "delivery.no_pdf": {
        "ru": "Без PDF (откройте по ссылке):",
        "en": "Without a PDF (open the link):",
    },
    "delivery.index_link": {"ru": "Все отчёты за период: {url}", "en": "Every report of the period: {url}"},
    "delivery.footer": {
        "ru": "Письмо отправлено автоматически (crmreports).",
        "en": "This message was sent automatically (crmreports).",
    },
    # failure notices to the admin
    "delivery.failure.subject": {
        "ru": "crmreports: сбой ежемесячного запуска",
        "en": "crmreports: the monthly run failed",
    },
    "delivery.failure.failed_lines": {
        "ru": "Не доставлено {failed} из {total}:",
        "en": "{failed} of {total} not delivered:",
    },
    # the run's summary and per-recipient lines
    "delivery.summary": {
        "ru": "доставка за {period}: отправлено {sent}, уже было отправлено {skipped}, ошибок {failed}",
        "en": "delivery for {period}: {sent} sent, {skipped} already sent, {failed} failed",
    },
    "delivery.summary_dry": {
        "ru": "доставка за {period} (проверка, ничего не отправлено): было бы отправлено {would}, "
        "уже было отправлено {skipped}",
        "en": "delivery for {period} (dry run, nothing sent): {would} would be sent, {skipped} already sent",
    },
    "delivery.summary_unreachable": {
        "ru": "без адреса или без настроенного канала: {count}",
        "en": "without an address or a configured channel: {count}",
    },
    "delivery.status.sent": {"ru": "отправлено", "en": "sent"},
    "delivery.status.skipped": {"ru": "уже отправлено", "en": "already sent"},
    "delivery.status.failed": {"ru": "ошибка", "en": "failed"},
    "delivery.status.would_send": {"ru": "будет отправлено", "en": "would be sent"},
    "delivery.status.no_channel": {"ru": "не отправлено", "en": "not sent"},
    "delivery.channel.email": {"ru": "e-mail", "en": "e-mail"},
    "delivery.channel.telegram": {"ru": "Telegram", "en": "Telegram"},
    "delivery.reason.no_address": {
        "ru": "нет ни e-mail, ни чата Telegram",
        "en": "neither an e-mail nor a Telegram chat",
    },
    "delivery.reason.no_smtp": {
        "ru": "e-mail не настроен: задайте SMTP_HOST, SMTP_FROM и др. в окружении или .env",
        "en": "e-mail is not set up: set SMTP_HOST, SMTP_FROM etc. in the environment or .env",
    },
    "delivery.reason.no_bot": {
        "ru": "Telegram не настроен: задайте TELEGRAM_BOT_TOKEN в окружении или .env",
        "en": "Telegram is not set up: set TELEGRAM_BOT_TOKEN in the environment or .env",
    },
    "delivery.role.head_of_sales": {"ru": "руководитель продаж", "en": "head of sales"},
    "delivery.role.group_head": {"ru": "руководитель отдела", "en": "group head"},
    "delivery.role.manager": {"ru": "менеджер", "en": "manager"},
}
