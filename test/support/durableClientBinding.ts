/** The durable client binding data the host hands a Node function, as a JSON string. */
export function durableClientBinding(rpcBaseUrl: string, taskHubName = 'TestHubName'): string {
  const base = 'http://localhost:7071/runtime/webhooks/durabletask';
  const query = `taskHub=${taskHubName}&connection=Storage&code=test-key`;
  const instance = `${base}/instances/INSTANCEID`;
  return JSON.stringify({
    taskHubName,
    creationUrls: {
      createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?code=test-key`,
      createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=test-key`,
    },
    managementUrls: {
      id: 'INSTANCEID',
      statusQueryGetUri: `${instance}?${query}`,
      sendEventPostUri: `${instance}/raiseEvent/{eventName}?${query}`,
      terminatePostUri: `${instance}/terminate?reason={text}&${query}`,
      rewindPostUri: `${instance}/rewind?reason={text}&${query}`,
      purgeHistoryDeleteUri: `${instance}?${query}`,
      restartPostUri: `${instance}/restart?${query}`,
      suspendPostUri: `${instance}/suspend?reason={text}&${query}`,
      resumePostUri: `${instance}/resume?reason={text}&${query}`,
    },
    baseUrl: base,
    requiredQueryStringParameters: 'code=test-key',
    rpcBaseUrl,
    httpBaseUrl: null,
    connectionName: null,
  });
}
