-- Disclosure control (plan 3): no published comment still holds an e-mail address, a
-- 10-digit NHS number or a UK postcode pattern that redaction should have replaced.
select *
from {{ ref('comments') }}
where regexp_matches(comment_redacted, '[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}')
   or regexp_matches(comment_redacted, '\b[0-9]{3} ?[0-9]{3} ?[0-9]{4}\b')
   or regexp_matches(comment_redacted, '(?i)\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b')
