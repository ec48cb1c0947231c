"""Words of logins, roles, local mode and the users page; and of input the model cannot take."""

CATALOGUE: dict[str, dict[str, str]] = {
    "nav.users": {"en": "Users", "zh": "用户"},
    "auth.login_title": {"en": "Log in", "zh": "登录"},
    "auth.language": {"en": "Language", "zh": "语言"},
    "auth.name": {"en": "Name", "zh": "用户名"},
    "auth.password": {"en": "Password", "zh": "密码"},
    "auth.login": {"en": "Log in", "zh": "登录"},
    "auth.failed": {"en": "Wrong name or password.", "zh": "用户名或密码错误。"},
    "auth.locked": {
        "en": "Too many wrong passwords: this account is locked. Try again in {minutes} min, or ask a manager to unlock it.",
        "zh": "密码错误次数过多，账号已锁定。请 {minutes} 分钟后再试，或请店长解锁。",
    },
    "auth.ended.idle": {
        "en": "You were away too long and have been logged out. Log in again: what you had typed comes back.",
        "zh": "长时间未操作，已自动退出。请重新登录，之前输入的内容会恢复。",
    },
    "auth.ended.expired": {
        "en": "Your session reached its time limit. Log in again: what you had typed comes back.",
        "zh": "登录已到时限。请重新登录，之前输入的内容会恢复。",
    },
    "auth.ended.removed": {
        "en": "Your account no longer exists, or logins were just switched on. Log in (again).",
        "zh": "账号已不存在，或刚刚启用了登录。请（重新）登录。",
    },
    "auth.ended.password_changed": {
        "en": "Your password was changed. Log in with the new one.",
        "zh": "密码已更改，请用新密码登录。",
    },
    "auth.ended.logged_out": {"en": "You have logged out.", "zh": "已退出登录。"},
    "auth.signed_in_as": {"en": "Logged in as {name} ({role})", "zh": "当前用户：{name}（{role}）"},
    "auth.role.staff": {"en": "staff", "zh": "店员"},
    "auth.role.manager": {"en": "manager", "zh": "店长"},
    "auth.logout": {"en": "Log out", "zh": "退出登录"},
    "auth.forbidden": {
        "en": "Only managers may use this page. Ask a manager, or log in as one.",
        "zh": "只有店长可以使用此页面。请联系店长，或用店长账号登录。",
    },
    "auth.local_mode": {
        "en": "Local mode: no logins, and only this computer can open the app. To let other computers in, add users first: `python -m core users add NAME --role manager`.",
        "zh": "本机模式：无需登录，只有这台电脑能打开本应用。若要让其他电脑使用，请先添加用户：`python -m core users add 用户名 --role manager`。",
    },
    "auth.exposed_title": {"en": "Not started: no logins set up", "zh": "未启动：尚未设置登录"},
    "auth.exposed": {
        "en": "The app listens on {address}, which other computers can reach, but no users are set up, so anyone on the network could read the customers' messages. Fix it in one of two ways, then reload this page:",
        "zh": "本应用正在监听 {address}，其他电脑可以访问，但尚未设置任何用户，网络上的任何人都能看到顾客的留言。请用以下任一方式解决，然后刷新本页：",
    },
    "auth.exposed_all_interfaces": {"en": "every network interface", "zh": "所有网络接口"},
    "auth.exposed_fix_users": {
        "en": "1. Add a manager (and staff) so that everyone must log in:",
        "zh": "1. 添加店长（和店员）账号，让所有人都必须登录：",
    },
    "auth.exposed_fix_local": {
        "en": "2. Or keep it on this computer only: in `.streamlit/config.toml` set this, and restart the app:",
        "zh": "2. 或者只在本机使用：在 `.streamlit/config.toml` 中如下设置，然后重启应用：",
    },
    # the users page
    "users.title": {"en": "Users", "zh": "用户"},
    "users.how_to": {
        "en": "Add, remove and change users from a terminal on the server: `python -m core users add|passwd|role|remove NAME`.",
        "zh": "在服务器的终端中添加、删除或修改用户：`python -m core users add|passwd|role|remove 用户名`。",
    },
    "users.none": {"en": "No users yet: the app runs in local mode.", "zh": "还没有用户：本应用以本机模式运行。"},
    "users.name": {"en": "Name", "zh": "用户名"},
    "users.role": {"en": "Role", "zh": "角色"},
    "users.last_login": {"en": "Last login (UTC)", "zh": "上次登录（UTC）"},
    "users.status": {"en": "Status", "zh": "状态"},
    "users.ok": {"en": "ok", "zh": "正常"},
    "users.locked": {"en": "locked for {minutes} min", "zh": "已锁定 {minutes} 分钟"},
    "users.never": {"en": "never", "zh": "从未"},
    "users.unlock_who": {"en": "Locked account", "zh": "被锁定的账号"},
    "users.unlock": {"en": "Unlock", "zh": "解锁"},
    "users.unlocked": {"en": "{name} may log in again.", "zh": "{name} 可以重新登录了。"},
    # input the model cannot take
    "input.too_long": {
        "en": "Too long for this model, so nothing was generated: the prompt takes about {prompt} tokens and the reply up to {reply}, but the model holds {context}. Shorten the customer's text by about {excess} tokens, lower “Max new tokens”, or load a model with a larger context. Your text is still in the form.",
        "zh": "内容太长，当前模型放不下，因此没有生成：提示约占 {prompt} 个 token，回复最多 {reply} 个，但模型只能容纳 {context} 个。请把顾客的文字缩短约 {excess} 个 token、调低“最多新生成 token 数”，或换用上下文更大的模型。您输入的内容仍保留在表单中。",
    },
}
