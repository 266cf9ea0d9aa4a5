"""The job worker and its handlers (flow timers, schedules, e-mail, webhooks, DingTalk and WeCom robots)."""
