# By user id and token id:
terraform import lm_api_token.ci 131/146

# By token id alone:
terraform import lm_api_token.ci 146

# By access id:
terraform import lm_api_token.ci 48v2wRzfK94y53sq5EuF

# LogicMonitor returns a token's access key only when the token is created,
# so access_key stays null for imported tokens.
