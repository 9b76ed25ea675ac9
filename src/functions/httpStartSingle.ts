import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { httpStartSingle } from '../http/startHandler';

app.http('httpStartSingle', {
  route: 'orchestrators/{functionName}/{instanceId}',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: httpStartSingle,
});
