"""boto3 + requests: a user import job as the developer guide runs it (GetCSVHeader, CreateUserImportJob,
a PUT of the CSV to the PreSignedUrl, StartUserImportJob, DescribeUserImportJob), then the imported
user's first sign-in.
"""

import csv
import io

import pytest
import requests
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/CognitoImportRole"


def test_a_csv_import_creates_users_who_must_reset_their_password(idp, endpoint, emulator, unique):
    pool = idp.create_user_pool(PoolName="py-import-" + unique, AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="py", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]

    header = idp.get_csv_header(UserPoolId=pool)["CSVHeader"]
    assert header[-2:] == ["cognito:mfa_enabled", "cognito:username"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerow({"cognito:username": "jane", "email": "jane@example.com", "email_verified": "true",
                     "given_name": "Jane", "cognito:mfa_enabled": "false"})
    writer.writerow({"cognito:username": "joe", "email": "joe@example.com", "email_verified": "false",
                     "cognito:mfa_enabled": "false"})

    job = idp.create_user_import_job(JobName="py-import", UserPoolId=pool, CloudWatchLogsRoleArn=ROLE)["UserImportJob"]
    assert job["Status"] == "Created"
    assert job["PreSignedUrl"] == f"{endpoint}/_emulator/import/{job['JobId']}"
    put = requests.put(job["PreSignedUrl"], data=out.getvalue().encode(),
                       headers={"x-amz-server-side-encryption": "aws:kms"}, timeout=30)
    assert put.status_code == 200, put.text

    started = idp.start_user_import_job(UserPoolId=pool, JobId=job["JobId"])["UserImportJob"]
    assert started["Status"] == "Pending"
    done = idp.describe_user_import_job(UserPoolId=pool, JobId=job["JobId"])["UserImportJob"]
    assert (done["Status"], done["ImportedUsers"], done["SkippedUsers"], done["FailedUsers"]) == ("Succeeded", 1, 0, 1)
    assert done["CompletionMessage"] == "Import Job Completed Successfully."
    assert [j["JobId"] for j in idp.list_user_import_jobs(UserPoolId=pool, MaxResults=10)["UserImportJobs"]] == [job["JobId"]]

    log = requests.get(f"{endpoint}/_emulator/import/{job['JobId']}", timeout=10).json()
    assert log["events"] == [
        "[SUCCEEDED] Line Number 2 - The import succeeded.",
        "[FAILED] Line Number 3 - The User Record does not set any of the auto verified attributes to true."
        " (Example: email_verified to true).",
    ]

    assert idp.admin_get_user(UserPoolId=pool, Username="jane")["UserStatus"] == "RESET_REQUIRED"
    with pytest.raises(ClientError) as exc:
        idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "jane", "PASSWORD": "Whatever-1"})
    assert exc.value.response["Error"]["Code"] == "PasswordResetRequiredException"
    assert exc.value.response["Error"]["Message"] == "Password reset required for the user"

    idp.forgot_password(ClientId=client_id, Username="jane")
    code = emulator.last_code("jane", purpose="FORGOT_PASSWORD")
    idp.confirm_forgot_password(ClientId=client_id, Username="jane", ConfirmationCode=code, Password="N3w-Passw0rd!")
    tokens = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "jane", "PASSWORD": "N3w-Passw0rd!"})
    assert "AccessToken" in tokens["AuthenticationResult"]
