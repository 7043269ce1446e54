// orders-api: an Express app on PostgreSQL (Sequelize 5), served by
// serverless-http, with S3/SQS, GraphQL, PDF receipts and mail. Written for
// fnaudit's test data; the dependency tree is the point, not the handler.
'use strict'
const serverless = require('serverless-http')
const express = require('express')
const bodyParser = require('body-parser')
const Sequelize = require('sequelize')
const { S3Client } = require('@aws-sdk/client-s3')
const { SQSClient } = require('@aws-sdk/client-sqs')
const Sentry = require('@sentry/serverless')

const sequelize = new Sequelize(process.env.DATABASE_URL, { dialect: 'postgres', logging: false })
const Order = sequelize.define('order', {
  id: { type: Sequelize.UUID, primaryKey: true },
  total: Sequelize.DECIMAL(10, 2),
})
const s3 = new S3Client({})
const sqs = new SQSClient({})

const app = express()
app.use(bodyParser.json())
app.get('/orders/:id', async (req, res) => {
  const order = await Order.findByPk(req.params.id)
  if (!order) return res.status(404).end()
  res.json(order)
})

module.exports.handler = Sentry.AWSLambda.wrapHandler(serverless(app))
module.exports.clients = { s3, sqs }
