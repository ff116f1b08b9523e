"""The local hub and the boto3 clients read botocore's models through one loader, so the
securityhub model is parsed once a process, not once per session."""
from __future__ import annotations

from unittest import mock

from pipeline.aws import AwsSettings, make_client, make_session
from pipeline.botocore_loader import new_session, shared_loader
from pipeline.hub import api


def test_sessions_share_one_loader_and_keep_their_own_state():
    first = make_session(AwsSettings(region="us-east-1", loopback_credentials=True))
    second = make_session(AwsSettings(region="eu-west-1", loopback_credentials=True))
    assert first._session.get_component("data_loader") is shared_loader()
    assert second._session.get_component("data_loader") is shared_loader()
    assert (first.region_name, second.region_name) == ("us-east-1", "eu-west-1")
    assert new_session() is not new_session()


def test_the_model_is_read_once_for_the_hub_and_a_client():
    shared_loader.cache_clear()  # a loader that has read nothing yet
    api.operation_model.cache_clear()
    loader = shared_loader()
    with mock.patch.object(loader.file_loader, "load_file", wraps=loader.file_loader.load_file) as reads:
        api.operation_model("GetFindings")
        session = make_session(AwsSettings(region="us-east-1", loopback_credentials=True))
        make_client(session, "securityhub", endpoint_url="http://127.0.0.1:9")
        api.operation_model.cache_clear()
        api.operation_model("BatchImportFindings")  # a new hub session: still the same read
    model_reads = [call.args[0] for call in reads.call_args_list
                   if "securityhub" in str(call.args[0]) and str(call.args[0]).endswith("service-2")]
    assert len(model_reads) == 1
